"""smtpsh: an interactive SMTP debugging shell."""

__version__ = "0.1.0"
