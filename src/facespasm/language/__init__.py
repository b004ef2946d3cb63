"""Free text to evidence: a rule-based reader of a person's own description of their twitching.

    from facespasm.language import read

    reading = read("my left eye has been jumping for three weeks, way too much coffee, no pain")
    reading.evidence().answers()
    # {'side': 'one', 'regions': ('eyelid',), 'small_flicker': True, 'duration_days': 21.0,
    #  'facial_pain': False, 'caffeine': True}

Every word the reader knows is in `data/lexicon.yaml`, reviewed like the knowledge base; the
code only applies it. Each `Mention` quotes the words it came from, and a red flag mentioned
only with a hedge ("maybe a bit numb?") is listed in `Reading.uncertain`, to be asked, never
assumed.
"""

from facespasm.language.reader import MAX_CHARS, Mention, Reading, read

__all__ = ["MAX_CHARS", "Mention", "Reading", "read"]
