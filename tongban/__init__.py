"""Tongban (通办): an integrated government service platform for Zhouzhi County."""
