from smtpsh.cli import main

main()
