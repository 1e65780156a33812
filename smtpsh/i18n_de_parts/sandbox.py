"""German for the sentences of smtpsh's sandbox part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
}
