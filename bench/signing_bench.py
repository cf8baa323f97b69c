"""Seals and signatures, on a throwaway database.

    .venv/bin/python -m bench.signing_bench [--count 200] [--profile]

1. PDF signatures per second: ``signing.services.sign_pdf`` of a one-page PDF (reportlab,
   Chinese text) with a department's seal, the seal-use row written each time; the first
   call (CA, seal, picture, key loading) is timed apart.
2. PDF verifications per second: ``verify_pdf`` of a signed PDF (pyHanko: hash, signature,
   chain to the root; the seal register asked).
3. SM2 signatures and verifications per second (``sm2_sign``/``sm2_verify``, tongsuopy), and
   SM3 throughput.

Prints figures, asserts nothing.
"""

import argparse
import cProfile
import io
import pstats
import time

from bench.support import rate, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="profile signing and checks")
    args = parser.parse_args()
    with throwaway_database():
        from tongban.org.tests.factories import DepartmentFactory

        department = DepartmentFactory(name="周至县市场监督管理局")
        bench_pdf(department, args.count, args.profile)
        bench_sm2(department, args.count * 10)


def one_page_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tongban.cases.receipts import font

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setFont(font(), 16)
    page.drawString(72, 760, "营业执照(基准测试)")
    page.save()
    return out.getvalue()


def bench_pdf(department, count: int, profile: bool) -> None:
    from tongban.signing import services

    pdf = one_page_pdf()
    started = time.perf_counter()
    signed = services.sign_pdf(pdf, department=department, reason="bench")
    print(
        f"{'first signature (CA, seal, picture, keys)':<48} {time.perf_counter() - started:.3f} s"
    )

    def sign_all():
        for _ in range(count):
            services.sign_pdf(pdf, department=department, reason="营业执照", purpose="bench")

    def verify_all():
        for _ in range(count):
            services.verify_pdf(signed)

    assert services.verify_pdf(signed).valid
    rate("PDF signatures (1 page, PAdES)", count, sign_all)
    rate("PDF verifications", count, verify_all)
    if profile:
        for run in (sign_all, verify_all):
            profiler = cProfile.Profile()
            profiler.runcall(run)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def bench_sm2(department, count: int) -> None:
    from tongban.signing import services

    data = "91610124MA6TXXXX0X|营业执照|周至县示例有限公司".encode() * 4
    signature = services.sm2_sign(data, department=department)
    public_key = services.sm2_public_key_pem(department)

    rate(
        "SM2 signatures (sm2_sign)",
        count,
        lambda: [services.sm2_sign(data, department=department) for _ in range(count)],
    )
    rate(
        "SM2 verifications (sm2_verify)",
        count,
        lambda: [
            services.sm2_verify(data, signature, public_key_pem=public_key) for _ in range(count)
        ],
    )
    block = b"\x5a" * (1 << 20)
    rate("SM3 MiB hashed", 64, lambda: [services.sm3_hex(block) for _ in range(64)])


if __name__ == "__main__":
    main()
