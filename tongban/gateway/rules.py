"""Who may manage the gateway's clients and keys and read its call log.

- ``gateway.manage_clients``: register clients, issue, rotate and revoke keys (system admin);
- ``gateway.view_client``: a client's statistics and the operations its scopes open;
- ``gateway.view_calls``: the call log (system administrator, supervisors).

What a client itself may read is answered where the data lives (``org.read_staff``).
"""

from tongban.identity import access

access.rule("gateway.manage_clients")(
    lambda user, obj: access.holds(user, "gateway.change_apiclient", "gateway.change_apikey")
)
access.rule("gateway.view_client")(lambda user, obj: access.holds(user, "gateway.view_apiclient"))
access.rule("gateway.view_calls")(lambda user, obj: access.holds(user, "gateway.view_calllog"))
