#!/usr/bin/env python3
"""Checks the demo data file against the loader's schema and lists the registry flags.

Usage: python3 crates/service/demo/check_demo.py [crates/service/demo/kunshan.json]

The flag list mirrors `govmedia_domain::registry_rules::check_account` (duplicate
platform, internal organ, verified subject, name tied to the unit), so one can see
that exactly the deliberate violations of the demo are flagged. The Rust rules stay
the reference; this is only a quick look for whoever edits the data.
"""
import collections
import datetime
import json
import os
import re
import sys

LEVELS = {"province", "city", "county", "town"}
KINDS = {"people_government", "government_office", "department", "town_street",
         "public_institution", "internal_organ", "operator_company"}
PLATFORMS = {"weibo", "wechat_service", "wechat_subscription", "wechat_mini_program", "weishi",
             "douyin", "toutiao", "kuaishou", "bilibili", "app", "other"}
STATUSES = {"normal", "paused", "closed", "deregistered", "exited"}
MEASURES = {"keep", "change", "close", "deregister", None}
MODES = {"self_run", "purchased"}
FUNCTIONS = {"publish", "spread", "interact", "guide", "service"}
ROLES = {"main_leader", "charge_leader", "chief_editor", "administrator", "staff"}
UNIT_FIELDS = ["key", "name", "short_name", "level", "kind", "region_code", "parent", "supervisor"]
ACCOUNT_FIELDS = ["unit", "name", "platform", "platform_other", "account_code", "url",
                  "registered_on", "operating_on", "operator_name", "positioning", "verified",
                  "verified_subject", "news_licence", "menu", "team", "operating_mode",
                  "budget_yuan", "followers", "reads", "push_frequency", "operator_count",
                  "functions", "status", "planned_measure", "interaction_open", "ipv6", "remarks"]
TEAM_FIELDS = ["role", "name", "unit_post", "office_phone", "mobile", "qq", "wechat"]

UNIT_SUFFIXES = ["人民政府办公室", "人民政府", "办公室", "管理委员会", "管委会", "委员会", "办事处",
                 "中心", "局", "委", "办"]
REGION_SUFFIXES = ["省", "市", "县", "区", "镇", "乡", "街道"]

errors = []


def err(msg):
    errors.append(msg)


def date(value, where):
    try:
        d = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        err(f"{where}: bad date {value!r}")
        return None
    if not (2013 <= d.year <= 2025):
        err(f"{where}: date {value} outside 2013-2025")
    return d


def strip(name, suffixes):
    for s in suffixes:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def hints(unit, ancestors):
    h = [unit["name"]]
    if unit["short_name"]:
        h += [unit["short_name"], strip(unit["short_name"], UNIT_SUFFIXES)]
    core = strip(unit["name"], UNIT_SUFFIXES)
    h += [strip(core, REGION_SUFFIXES), core]
    for a in ancestors:
        h.append(strip(strip(a["name"], UNIT_SUFFIXES), REGION_SUFFIXES))
    return {x for x in h if len(x) >= 2}


def check_menu(text, where):
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent % 2 or indent > 4:
            err(f"{where}: menu line {n} indentation")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "kunshan.json")
    data = json.load(open(path, encoding="utf-8"))
    units = {}
    for u in data["units"]:
        if list(u) != UNIT_FIELDS:
            err(f"unit {u.get('key')}: fields {list(u)}")
        if u["key"] in units:
            err(f"unit {u['key']}: duplicate key")
        for ref in ("parent", "supervisor"):
            if u[ref] is not None and u[ref] not in units:
                err(f"unit {u['key']}: {ref} {u[ref]} not listed before it")
        if u["level"] not in LEVELS or u["kind"] not in KINDS:
            err(f"unit {u['key']}: bad level/kind")
        if u["region_code"] is not None and not re.fullmatch(r"\d{6,12}", u["region_code"]):
            err(f"unit {u['key']}: bad region code")
        units[u["key"]] = u
    roots = [u for u in units.values() if u["parent"] is None]
    if len(roots) != 1:
        err(f"{len(roots)} roots")

    def ancestors(u):
        out = []
        while u["parent"] is not None:
            u = units[u["parent"]]
            out.insert(0, u)
        return out

    accounts = data["accounts"]
    active = collections.Counter()
    for a in accounts:
        if a["status"] in ("normal", "paused"):
            active[(a["unit"], a["platform"])] += 1
    flags = []
    for i, a in enumerate(accounts):
        where = f"account {i} {a.get('name')}"
        if list(a) != ACCOUNT_FIELDS:
            err(f"{where}: fields {list(a)}")
        if a["unit"] not in units:
            err(f"{where}: unknown unit {a['unit']}")
            continue
        if a["platform"] not in PLATFORMS:
            err(f"{where}: bad platform")
        if (a["platform"] == "other") != bool(a["platform_other"]):
            err(f"{where}: platform_other goes with platform other only")
        if a["url"] is not None and not re.match(r"https?://\S+$", a["url"]):
            err(f"{where}: bad url")
        r, o = date(a["registered_on"], where), date(a["operating_on"], where)
        if r and o and o < r:
            err(f"{where}: operating before registration")
        if a["status"] not in STATUSES or a["planned_measure"] not in MEASURES:
            err(f"{where}: bad status/measure")
        if a["operating_mode"] not in MODES:
            err(f"{where}: bad operating mode")
        if not set(a["functions"]) <= FUNCTIONS:
            err(f"{where}: bad functions")
        for k in ("budget_yuan", "followers", "reads", "operator_count"):
            if a[k] is not None and (not isinstance(a[k], int) or a[k] < 0):
                err(f"{where}: {k} not a non-negative integer")
        for k in ("verified", "news_licence", "interaction_open"):
            if not isinstance(a[k], bool):
                err(f"{where}: {k} not a boolean")
        if a["menu"] is not None:
            if a["platform"] not in ("wechat_service", "wechat_subscription", "app"):
                err(f"{where}: menu on a non-WeChat, non-app account")
            check_menu(a["menu"], where)
        if a["ipv6"] is not None and a["platform"] != "app":
            err(f"{where}: ipv6 on a non-app account")
        if not 2 <= len(a["team"]) <= 5:
            err(f"{where}: team of {len(a['team'])}")
        for m in a["team"]:
            if list(m) != TEAM_FIELDS or m["role"] not in ROLES:
                err(f"{where}: bad team member {m}")
            if not re.fullmatch(r"1[358]\d{9}", m["mobile"]):
                err(f"{where}: bad mobile {m['mobile']}")
            if not re.fullmatch(r"0512-57\d{6}", m["office_phone"]):
                err(f"{where}: bad office phone {m['office_phone']}")
        # Registry rules, as in registry_rules::check_account.
        u = units[a["unit"]]
        if a["status"] not in ("normal", "paused"):
            continue
        if active[(a["unit"], a["platform"])] >= 3:
            flags.append((a["name"], "duplicate_platform"))
        if u["kind"] == "internal_organ":
            flags.append((a["name"], "internal_organ"))
        subject = a["verified_subject"]
        if (subject is not None and subject.strip() != u["name"]) or (a["verified"] and subject is None):
            flags.append((a["name"], f"verified_subject_mismatch ({subject})"))
        if not any(h in a["name"] for h in hints(u, ancestors(u))):
            flags.append((a["name"], "name_not_tied"))
        if not a["interaction_open"]:
            flags.append((a["name"], "interaction_closed"))
        if a["platform"] == "app" and a["ipv6"] is False:
            flags.append((a["name"], "app_without_ipv6"))

    print(f"{len(units)} units, {len(accounts)} accounts")
    print("platforms:", dict(collections.Counter(a["platform"] for a in accounts)))
    print("statuses:", dict(collections.Counter(a["status"] for a in accounts)))
    print("flags:")
    for name, rule in flags:
        print(f"  {name}: {rule}")
    if not 120 <= len(accounts) <= 180:
        err(f"{len(accounts)} accounts, expected about 150")
    for e in errors:
        print("ERROR", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
