"""`make bench`: what synth costs and how it grows with the number of apps (issue 7)."""
