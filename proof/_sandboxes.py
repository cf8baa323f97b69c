"""The SMS, payment and courier sandboxes with the stack's generated credentials.

``manage.py sms_sandbox`` and its siblings check signatures with the public sandbox
secrets of ``settings.*_PROVIDERS["sandbox"]``. The stack's platform runs the production
providers (``sms_http``, ``channel_http``, ``courier_http``) with generated secrets, so the
same sandbox services are started here with those: the wire protocol is the real one.

    python -m proof._sandboxes sms|payment|courier --port N
"""

import argparse
import os

import django


def build(kind: str, env: dict[str, str]):
    if kind == "sms":
        from tongban.notify.providers.sandbox import Sandbox

        receipts = f"{env['SITE_URL']}/notify/receipts/sms_http"
        return Sandbox(
            env["NOTIFY_SMS_APP_KEY"], env["NOTIFY_SMS_APP_SECRET"], receipt_url=receipts
        )
    if kind == "payment":
        from tongban.payments.providers.sandbox import Sandbox

        return Sandbox(env["PAYMENTS_MERCHANT_ID"], env["PAYMENTS_CHANNEL_SECRET"])
    if kind == "courier":
        from tongban.logistics.providers.sandbox import Sandbox

        return Sandbox(env["LOGISTICS_CUSTOMER_CODE"], env["LOGISTICS_COURIER_SECRET"])
    raise ValueError(kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["sms", "payment", "courier"])
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    django.setup()
    server = build(options.kind, dict(os.environ)).serve("127.0.0.1", options.port)
    print(f"{options.kind} sandbox on http://127.0.0.1:{options.port}/", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
