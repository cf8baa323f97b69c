"""Proof under load, faults and attack (issue 12): the stack, load, faults, fuzzing, drills."""
