"""Register, list and disable department systems that sign people in through the platform.

    manage.py oidc_client add "县人社局社保系统" --redirect-uri https://sb.example/cb
    manage.py oidc_client add "掌上办 App" --public --redirect-uri https://app.example/cb
    manage.py oidc_client list
    manage.py oidc_client disable <client_id>

The secret of a confidential client is printed once, here, and stored hashed.
"""

from django.core.management.base import BaseCommand, CommandError

from tongban.errors import TongbanError
from tongban.identity.oidc import clients


class Command(BaseCommand):
    help = "登记、列出或停用单点登录接入系统 / Manage the platform's OIDC clients"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="登记接入系统 / register a client")
        add.add_argument("name")
        add.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
        add.add_argument("--post-logout-uri", action="append", default=[], dest="logout_uris")
        add.add_argument(
            "--public", action="store_true", help="公开客户端(无密钥,如移动应用)/ no secret"
        )
        actions.add_parser("list", help="列出接入系统 / list clients")
        disable = actions.add_parser("disable", help="停用接入系统 / disable a client")
        disable.add_argument("client_id")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except TongbanError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.fields.items())
            raise CommandError(f"{error.message} {details}".strip()) from error

    def _add(self, *, name, redirect_uris, logout_uris, public, **options):
        client, secret = clients.register(
            name,
            redirect_uris,
            confidential=not public,
            post_logout_redirect_uris=logout_uris,
        )
        self.stdout.write(f"已登记 / registered: {client.name}")
        self.stdout.write(f"client_id:     {client.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
            self.stdout.write("密钥只显示这一次,请妥善交给该系统的管理员 / shown only once")
        else:
            self.stdout.write("公开客户端:无密钥,必须使用 PKCE / public client: PKCE, no secret")

    def _list(self, **options):
        for client in clients.all_clients():
            status = "停用" if clients.is_disabled(client) else "启用"
            self.stdout.write(
                f"{client.client_id}\t{client.client_type}\t{status}\t{client.name}\t"
                f"{client.redirect_uris}"
            )

    def _disable(self, *, client_id, **options):
        client = clients.disable(clients.find(client_id))
        self.stdout.write(f"已停用 / disabled: {client.name} ({client.client_id})")
