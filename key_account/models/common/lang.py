"""Texts written for somebody (a note on their account, an activity for them)
are in their language, not the language of whoever (or whichever scheduled
action) writes them."""


def env_for(env, person):
    """``env`` in the language of ``person`` (a user or a partner; empty: the
    environment's own)."""
    lang = person.sudo().lang if person else False
    if not lang or lang == env.lang:
        return env
    return env(context=dict(env.context, lang=lang))


def envs_by_lang(env, people):
    """{person id: ``env`` in that person's language}, one environment per
    language (set-based crons translate each text once per language)."""
    by_lang = {}
    result = {}
    for person in people.sudo():
        lang = person.lang or env.lang
        if lang not in by_lang:
            by_lang[lang] = env_for(env, person)
        result[person.id] = by_lang[lang]
    return result
