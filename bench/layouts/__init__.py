"""The layout-invariance harness: the same policy text in many layouts must give the same findings.

Families live in ``bench.layouts.families_text`` (text, Markdown) and
``bench.layouts.families_binary`` (PDF, DOCX); ``bench.layouts.family`` defines them.
"""
