"""The peer of `npm run bench`: a Panther Python rule run the way Panther runs it, one event per line.

    python3 panther-peer.py RULE.py CORPUS.jsonl

Loads the rule file from where it is (nothing of it is copied here), reads the corpus once, then
answers commands on standard input, one per line, with the CPU seconds (time.process_time) of one
pass over every line on standard output:

    full   json.loads, the event wrapper, rule(); title(), severity() and alert_context() on a match
    parse  json.loads alone
    quit

The event wrapper is this file's own minimal stand-in for Panther's case-insensitive event: a
case-insensitive get() and deep_get() over the parsed dict. It does less than Panther's (no
immutable copies, no data model), so the peer's figure is, if anything, flattering to the peer.
"""

import importlib.util
import json
import sys
import time


class Event:
    """Case-insensitive top-level get() and deep_get(), as rules call them."""

    __slots__ = ("_data", "_keys")

    def __init__(self, data):
        self._data = data
        self._keys = {key.lower(): key for key in data} if isinstance(data, dict) else {}

    def get(self, key, default=None):
        found = self._keys.get(key.lower())
        return default if found is None else self._data.get(found, default)

    def deep_get(self, *keys, default=None):
        current = self
        for key in keys:
            if isinstance(current, (Event, dict)):
                current = current.get(key)
            else:
                return default
            if current is None:
                return default
        return current


def main():
    spec = importlib.util.spec_from_file_location("peer_rule", sys.argv[1])
    rule = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rule)
    with open(sys.argv[2], encoding="utf-8") as corpus:
        lines = [line for line in corpus.read().split("\n") if line.strip()]

    def full():
        matches = 0
        for line in lines:
            event = Event(json.loads(line))
            if rule.rule(event):
                rule.title(event)
                rule.severity(event)
                rule.alert_context(event)
                matches += 1
        return matches

    def parse():
        for line in lines:
            json.loads(line)
        return 0

    passes = {"full": full, "parse": parse}
    matches = full()
    parse()
    sys.stdout.write(json.dumps({"ready": True, "events": len(lines), "matches": matches}) + "\n")
    sys.stdout.flush()
    for command in sys.stdin:
        command = command.strip()
        if command == "quit":
            break
        start = time.process_time()
        passes[command]()
        sys.stdout.write(f"{time.process_time() - start}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
