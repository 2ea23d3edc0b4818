"""Pure rules with their config: no Streamlit, no I/O. Every number with a legal or
vendor source carries its citation next to it."""
