"""German for the sentences of smtpsh's lessons part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
    # smtpsh/lessons.py: the tutor, on :answer
    "lesson {number} done: nothing left to answer":
        "Lektion {number} geschafft: es gibt nichts mehr zu beantworten",
    "this step is done on the wire, not with :answer: {task}":
        "dieser Schritt geschieht auf der Leitung, nicht mit :answer: {task}",
    "not quite: {hint}": "nicht ganz: {hint}",
    # smtpsh/shell/commands.py: :answer
    "answer the question of the lesson's step (smtpsh --lesson N)":
        "die Frage des Schritts der Lektion beantworten (smtpsh --lesson N)",
    ":answer answers a lesson's question: smtpsh --lesson lists the lessons":
        ":answer beantwortet die Frage einer Lektion: smtpsh --lesson listet die Lektionen auf",
}
