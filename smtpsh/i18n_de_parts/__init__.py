"""German for the sentences of one part of smtpsh each, merged into smtpsh.i18n_de.CATALOG.

One file per part (the command line, the domain check, the probes, the sandbox, the lessons,
the forensics) so that each part's sentences sit together; a sentence lives in one file only
(tests/test_i18n.py checks).
"""

PARTS = ("cli", "check", "probes", "sandbox", "lessons", "forensics")
