"""From what a person typed to SQL: the only database-specific code of the search.

A query becomes a list of ``Term``s (segmented like the index, see ``text``). Each term must
be found (all of them; when that finds nothing, any of them). A Chinese word is found as
itself or, in the name, as all of its characters (so 社保卡 finds 社会保障卡); an ASCII word of
two letters or more is a prefix (``yyzz`` finds ``yyzzysbl``, the initials from 营业执照 on).

Ranking: first the items whose name alone matches the whole query, then by relevance, then
by implementation code. Relevance on SQLite is ``bm25`` over the four FTS5 columns weighted
10:4:2:1. On PostgreSQL it is ``ts_rank`` over the name (A) and keywords (B) only, the
``head`` column: ranking over the whole document unpacked each match's document from TOAST,
and a common word cost 60–100 ms on 10,000 items; ``ts_rank_cd`` rewards words standing
close together, which index terms (sub-words, characters, pinyin) do not mean, and cost
twice as much.
"""

from dataclasses import dataclass

from tongban.catalog.search import text

ENTRY = "catalog_searchentry"
FTS = "catalog_searchentry_fts"
MAX_TERMS = 12
# Relative weights of name, keywords, context and guide text (A, B, C, D).
WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# ts_rank divided by 1 + log(number of words): a short name matching ranks above a long one.
RANK_NORMALIZATION = 1


@dataclass(frozen=True)
class Term:
    """One thing to find: a word, perhaps a prefix, or else all of ``chars`` in the name."""

    word: str
    prefix: bool = False
    chars: tuple[str, ...] = ()


def parse(q: str) -> list[Term]:
    """The terms of a query; empty when it holds nothing to look for (punctuation only)."""
    found = text.words(q)
    kept = [word for word in found if word not in text.QUERY_STOPWORDS] or found
    terms: list[Term] = []
    singles: list[str] = []  # consecutive one-character words: an unknown word, split up

    def close_run():
        if len(singles) > 1:
            terms.append(Term("".join(singles), chars=tuple(dict.fromkeys(singles))))
        elif singles:
            terms.append(Term(singles[0]))
        singles.clear()

    for word in kept:
        if text.is_han(word):
            if len(word) == 1:
                singles.append(word)
                continue
            close_run()
            terms.append(Term(word, chars=tuple(dict.fromkeys(word))))
        else:
            close_run()
            terms.append(Term(word, prefix=len(word) > 1))
    close_run()
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def filters(
    *,
    department: str | None = None,
    item_type: str | None = None,
    service_object: str | None = None,
    online_depth: int | None = None,
    town: str | None = None,
    topic: str | None = None,
    city_wide: bool | None = None,
    cross_province: bool | None = None,
) -> tuple[str, list]:
    """``WHERE`` conditions on the entry (alias ``e``), the same SQL on both databases."""
    clauses, params = ["e.is_active = %s"], [True]

    def equal(column, value):
        clauses.append(f"e.{column} = %s")
        params.append(value)

    if department:
        equal("department_code", department)
    if item_type:
        equal("item_type", item_type)
    if service_object:
        # 个人办事 / 法人办事 include the items that serve both.
        if service_object == "both":
            equal("service_object", "both")
        else:
            clauses.append("e.service_object IN (%s, %s)")
            params.extend([service_object, "both"])
    if online_depth is not None:
        equal("online_depth", int(online_depth))
    if town:
        clauses.append("e.towns LIKE %s ESCAPE '\\'")
        params.append(f"% {_like_escape(town)} %")
    if topic:
        clauses.append("e.topics LIKE %s ESCAPE '\\'")
        params.append(f"% {_like_escape(topic)} %")
    if city_wide is not None:
        equal("city_wide", bool(city_wide))
    if cross_province is not None:
        equal("cross_province", bool(cross_province))
    return " AND ".join(clauses), params


def listing_sql(where: str, params: list, *, limit: int, offset: int) -> tuple[str, list]:
    """Every entry passing the filters, by implementation code, with the total."""
    return (
        f"SELECT e.item_id, COUNT(*) OVER () FROM {ENTRY} e WHERE {where} "  # nosec B608  # constant table, where from fixed clauses; values are parameters
        "ORDER BY e.implementation_code LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )


def ranked_sql(
    vendor: str,
    terms: list[Term],
    where: str,
    params: list,
    *,
    any_term: bool,
    limit: int,
    offset: int,
) -> tuple[str, list]:
    """The matching entries in rank order, each row ``(item_id, total)``."""
    if vendor == "postgresql":
        query = _tsquery(terms, any_term)
        name_query = _tsquery(terms, any_term, weight="A")
        # Ranked by the words alone: the alternatives of characters cost twice as much.
        rank_query = _tsquery([Term(t.word, t.prefix) for t in terms], any_term)
        weights = "{" + ",".join(str(w / WEIGHTS[0]) for w in reversed(WEIGHTS)) + "}"
        # ``(SELECT %s::tsquery)`` hides the query from the planner, which would otherwise
        # choose a sequential scan for a common word and unpack every row's document;
        # ``OFFSET 0`` ranks each match in the scan, before the window counts them.
        return (
            "SELECT item_id, COUNT(*) OVER () FROM ("  # nosec B608  # constant names; every value is a parameter
            "SELECT e.item_id, e.head @@ %s::tsquery AS in_name, "
            f"ts_rank(%s::float4[], e.head, %s::tsquery, {RANK_NORMALIZATION}) AS rank, "
            "e.implementation_code "
            f"FROM {ENTRY} e WHERE e.document @@ (SELECT %s::tsquery) AND {where} OFFSET 0"
            ") found ORDER BY in_name DESC, rank DESC, implementation_code LIMIT %s OFFSET %s",
            [name_query, weights, rank_query, query, *params, limit, offset],
        )
    query = _fts_query(terms, any_term)
    bm25 = ", ".join(str(w) for w in WEIGHTS)
    # bm25() only works while FTS5 runs the MATCH: score in a materialized CTE (SQLite 3.35+),
    # then join.
    return (
        f"WITH hits AS MATERIALIZED (SELECT rowid AS item_id, bm25({FTS}, {bm25}) AS score "  # nosec B608  # constant names and weights; values are parameters
        f"FROM {FTS} WHERE {FTS} MATCH %s), "
        f"name_hits AS MATERIALIZED (SELECT rowid AS item_id FROM {FTS} WHERE {FTS} MATCH %s) "
        f"SELECT e.item_id, COUNT(*) OVER () FROM hits h JOIN {ENTRY} e ON e.item_id = h.item_id "
        f"WHERE {where} "
        "ORDER BY h.item_id IN (SELECT item_id FROM name_hits) DESC, h.score, "
        "e.implementation_code LIMIT %s OFFSET %s",
        [query, "{name_terms} : (" + query + ")", *params, limit, offset],
    )


def count_sql(
    vendor: str, terms: list[Term] | None, where: str, params: list, *, any_term: bool = False
) -> tuple[str, list]:
    """How many entries match (for a page past the last one, which returns no row)."""
    if terms is None:
        return f"SELECT COUNT(*) FROM {ENTRY} e WHERE {where}", params  # nosec B608  # constant table, fixed clauses; values are parameters
    if vendor == "postgresql":
        return (
            f"SELECT COUNT(*) FROM {ENTRY} e WHERE e.document @@ (SELECT %s::tsquery) AND {where}",  # nosec B608  # constant table, fixed clauses; values are parameters
            [_tsquery(terms, any_term), *params],
        )
    return (
        f"SELECT COUNT(*) FROM {FTS} JOIN {ENTRY} e ON e.item_id = {FTS}.rowid "  # nosec B608  # constant names, fixed clauses; values are parameters
        f"WHERE {FTS} MATCH %s AND {where}",
        [_fts_query(terms, any_term), *params],
    )


def compact(connection) -> None:
    """After a full rebuild: merge FTS5's segments (SQLite), refresh the statistics (both)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {ENTRY}")
        else:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # nosec B608  # constant table name, no input
            cursor.execute(f"ANALYZE {ENTRY}")


def _fts_query(terms: list[Term], any_term: bool) -> str:
    """An FTS5 expression. Terms hold only Chinese characters or [a-z0-9]: safe in quotes."""

    def one(term: Term) -> str:
        found = f'"{term.word}"' + ("*" if term.prefix else "")
        if term.chars:
            together = " AND ".join(f'"{ch}"' for ch in term.chars)
            found = f"({found} OR ({together}))"
        return found

    return (" OR " if any_term else " AND ").join(one(term) for term in terms)


def _tsquery(terms: list[Term], any_term: bool, weight: str = "") -> str:
    """A ``tsquery`` literal, lexemes as the index holds them (no normalization on cast)."""

    def lexeme(word: str, prefix: bool = False) -> str:
        label = ("*" if prefix else "") + weight
        return f"'{word}'" + (f":{label}" if label else "")

    def one(term: Term) -> str:
        found = lexeme(term.word, term.prefix)
        if term.chars:
            together = " & ".join(lexeme(ch) for ch in term.chars)
            found = f"({found} | ({together}))"
        return found

    return (" | " if any_term else " & ").join(one(term) for term in terms)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
