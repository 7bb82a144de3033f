"""One module per subcommand; the CLI parses arguments and calls these with keywords."""
