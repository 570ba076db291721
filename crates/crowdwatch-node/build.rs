// napi-build sets the linker flags a Node addon needs on each platform (on Linux, none: the
// napi_* symbols resolve against the node binary when the addon is loaded).
fn main() {
    napi_build::setup();
}
