/// The rnx version shown by `rnx --version` and the REPL banner.
public let rnxVersion = "0.1.0"
