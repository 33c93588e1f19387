//! The whole input path of `dlncheck check` up to the numerical work: YAML parse → validation →
//! plan (claims, memory estimate), and the rendering of any error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dlncheck::app::check::plan::fuzz_case_input(data);
});
