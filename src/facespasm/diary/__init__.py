"""The diary: episodes, daily factors and treatments, stored for real and analysed per person.

`records` holds the plain data both sides share; `database`, `models`, `store` and `csv_io` keep
it in SQLite or PostgreSQL; `triggers`, `cycles` and `plots` analyse it; `evidence` turns the last
two weeks into evidence for the assessment.
"""
