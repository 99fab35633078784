from mlcc_cli.cli import main

main()
