"""German for the sentences of smtpsh's lessons part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
    # smtpsh/lessons.py: the tutor, on :answer
    "lesson {number} done: nothing left to answer":
        "Lektion {number} geschafft: es gibt nichts mehr zu beantworten",
    "this step is done on the wire, not with :answer: {task}":
        "dieser Schritt geschieht auf der Leitung, nicht mit :answer: {task}",
    "not quite: {hint}": "nicht ganz: {hint}",
    # smtpsh/lessons.py: :lesson
    "hint: {hint}": "Tipp: {hint}",
    "{done} of {total} steps done, {tries} tries that did not count":
        "{done} von {total} Schritten erledigt, {tries} Versuche, die nicht zählten",
    # smtpsh/shell/commands.py: :answer
    "answer the question of the lesson's step (smtpsh --lesson N)":
        "die Frage des Schritts der Lektion beantworten (smtpsh --lesson N)",
    "in a lesson: its task now, the hint for it, and how far you are":
        "in einer Lektion: ihre aktuelle Aufgabe, der Tipp dazu und wie weit du bist",
    ":lesson shows the task and hint of a lesson: smtpsh --lesson lists the lessons":
        ":lesson zeigt Aufgabe und Tipp einer Lektion: smtpsh --lesson listet die Lektionen auf",
    ":answer answers a lesson's question: smtpsh --lesson lists the lessons":
        ":answer beantwortet die Frage einer Lektion: smtpsh --lesson listet die Lektionen auf",
}
