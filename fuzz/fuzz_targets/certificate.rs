//! Certificate reading and checking of `dlncheck verify-cert`, and the rendering of the result.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dlncheck::verify::fuzz_certificate(data);
});
