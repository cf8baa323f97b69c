#!/usr/bin/env bash
# The Debian packages the suite needs: Chromium for browser tests, espeak-ng for read-aloud, CJK fonts so Chinese
# renders in them and in PDFs, poppler's pdfsig for signed PDFs, nginx for the production shape (make prod).
# Installed with apt-get when run as root; otherwise named.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# pdfsig checks the PAdES signatures of e-licenses in the suite.
command -v pdfsig >/dev/null || missing+=(poppler-utils)
# espeak-ng's Mandarin voice reads guides and case status aloud where the browser has no Chinese voice.
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
# nginx serves static files and proxies to gunicorn in the production shape (proof/stack.py, deploy/nginx.conf).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "安装系统软件包 / installing OS packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit $?
fi
echo "缺少系统软件包 / missing OS packages: ${missing[*]}" >&2
echo "请以 root 运行 / as root run: apt-get install ${missing[*]}" >&2
echo "没有 chromium 时浏览器测试将跳过 / browser tests are skipped without chromium" >&2
exit 0
