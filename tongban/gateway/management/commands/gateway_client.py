"""Manage API clients from the shell: ``create``, ``issue``, ``rotate``, ``revoke``.

    manage.py gateway_client create "县市场监管业务系统" --scope gateway:ping --dept market
    manage.py gateway_client issue "县市场监管业务系统"
    manage.py gateway_client rotate tbk_… --overlap-hours 72
    manage.py gateway_client revoke tbk_…

A secret is printed once, when it is issued.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tongban.errors import TongbanError
from tongban.gateway import services
from tongban.gateway.models import ApiClient, ApiKey

ACTOR = "manage.py gateway_client"


class Command(BaseCommand):
    help = "管理接入系统与接口密钥 / manage API clients and keys"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create")
        create.add_argument("name")
        create.add_argument("--scope", action="append", default=[])
        create.add_argument("--dept", action="append", default=[], help="部门代码;* 为全部")
        create.add_argument("--kind", choices=ApiClient.Kind.values, default="department")
        create.add_argument("--sensitivity", type=int, choices=[1, 2, 3], default=1)
        create.add_argument("--rate-limit", type=int, default=600)
        issue = actions.add_parser("issue")
        issue.add_argument("name")
        rotate = actions.add_parser("rotate")
        rotate.add_argument("key_id")
        rotate.add_argument("--overlap-hours", type=int, default=None)
        revoke = actions.add_parser("revoke")
        revoke.add_argument("key_id")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except TongbanError as exc:
            raise CommandError(exc.message) from exc
        except (ApiClient.DoesNotExist, ApiKey.DoesNotExist) as exc:
            raise CommandError("未找到该接入系统或密钥 / not found") from exc

    def _create(self, name, scope, dept, kind, sensitivity, rate_limit, **_):
        client = services.create_client(
            ACTOR,
            name=name,
            scopes=scope,
            kind=kind,
            department_codes=dept,
            max_sensitivity=sensitivity,
            rate_limit=rate_limit,
        )
        self.stdout.write(f"已创建接入系统 {client.name} (id {client.pk})")

    def _issue(self, name, **_):
        self._print(services.issue_key(ACTOR, ApiClient.objects.get(name=name)))

    def _rotate(self, key_id, overlap_hours, **_):
        overlap = datetime.timedelta(hours=overlap_hours) if overlap_hours else None
        key = ApiKey.objects.get(key_id=key_id)
        self._print(services.rotate_key(ACTOR, key, overlap=overlap))
        key.refresh_from_db()
        self.stdout.write(f"旧密钥 {key.key_id} 有效至 {key.expires_at:%Y-%m-%d %H:%M:%S %Z}")

    def _revoke(self, key_id, **_):
        services.revoke_key(ACTOR, ApiKey.objects.get(key_id=key_id))
        self.stdout.write(f"已吊销 {key_id}")

    def _print(self, issued: services.IssuedKey) -> None:
        self.stdout.write(f"X-Tb-Key / client_id:      {issued.key.key_id}")
        self.stdout.write(f"secret / client_secret:    {issued.secret}")
        self.stdout.write("密钥仅显示这一次,请立即妥善保存。")
