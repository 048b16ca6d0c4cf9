"""Who takes part in a bulk write of listings (the importer's), without the catalogue importing them.

A bulk write uses no model signals, so the domains that keep something in step with listings (the search
index) register a writer here from their AppConfig.ready():

- `read_existing(listing_ids) -> state`: before the transaction, what it holds now for those listings;
- `prepare(listing, organisations, mode_codes, state, force) -> item | None`: before the transaction, its work
  for one listing as it will be saved (None: nothing to do; `force`: the listing or its links changed);
- `write(items)`: inside the importer's transaction, after the listings and their links are saved.
"""

_writers: list = []


def register(writer) -> None:
    if not any(type(w) is type(writer) for w in _writers):
        _writers.append(writer)


def writers() -> list:
    return list(_writers)
