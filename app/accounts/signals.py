"""What happens to people that other domains react to, as signals (blinker, Flask's own).

Accounts sits below the domains and must not import them; a domain that cares connects a
receiver here (``teams_left.connect(receiver)``) and accounts sends the signal.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A person left one or more teams (sender: the User, already in their new teams).
teams_left = _signals.signal("teams-left")
