"""Access rules of the holder's wallet and 扫码亮证 (imported by ``rules``)."""
