"""The operators' dashboard (/admin/insights/): what the product did over a range of days.

It lives in rooms, the top of the import order, because it reads every app's tables: matches,
random requests and reviews (matching), rooms and comments (rooms). Reads only; every number is
an SQL aggregate, so a page costs the same few queries for a day or a year.
"""
