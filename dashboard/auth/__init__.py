"""Who may do what: roles and page access (``roles``), local accounts with argon2id and
lockout (``accounts``), and the Streamlit session guard every page calls first
(``session``)."""
