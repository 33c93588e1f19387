//! junit.xml: one test suite per case file, one test case per (case, claim); a check whose verdict
//! differs from its expectation is a failure carrying the verdict, the reason and the evidence.

use super::Report;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// Render the JUnit XML report.
pub fn render(r: &Report) -> Result<String, quick_junit::SerializeError> {
    let mut out = quick_junit::Report::new("dlncheck");
    for c in &r.cases {
        let mut suite = TestSuite::new(c.name.as_str());
        if let Some(e) = &c.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.as_str()).set_type("invalid-case");
            let mut tc = TestCase::new("case file", status);
            tc.set_classname(c.file.as_str());
            suite.add_test_case(tc);
        }
        for k in &c.checks {
            let status = if k.met {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let expected = match k.expect {
                    Some(_) => super::markdown::expect_cell(k),
                    None => "no error",
                };
                s.set_message(format!(
                    "verdict {}, expected {expected}: {}",
                    super::markdown::verdict_text(k),
                    k.reason.as_deref().unwrap_or("")
                ))
                .set_type(k.verdict.as_str())
                .set_description(serde_json::to_string_pretty(&k.values).unwrap_or_default());
                s
            };
            let mut tc = TestCase::new(k.claim.as_str(), status);
            tc.set_classname(c.file.as_str());
            if let Some(sec) = k.seconds {
                tc.set_time(Duration::from_secs_f64(sec.max(0.0)));
            }
            tc.set_system_out(format!(
                "{}: {}",
                super::markdown::verdict_text(k),
                k.reason.as_deref().unwrap_or("")
            ));
            suite.add_test_case(tc);
        }
        out.add_test_suite(suite);
    }
    out.to_string()
}
