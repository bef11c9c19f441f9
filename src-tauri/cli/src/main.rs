fn main() -> std::process::ExitCode {
    idesk::main_with(std::env::args_os())
}
