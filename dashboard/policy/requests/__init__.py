"""Rights requests: the deadline rules (``deadlines``), the request state machine
(``lifecycle``), the messages owed to a requester (``notices``), and the numbers behind
them with their legal sources (``config``). Pure: no Streamlit, no I/O."""
