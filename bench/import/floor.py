#!/usr/bin/env python3
"""The database's own share of an import, without any govmedia code (issue 2).

Usage: bench/import/floor.py KEEP [ROUNDS]   (KEEP: the directory bench/import/run.sh fills)

Takes the rows a real import wrote (the 10,000 accounts and their 10,001 audit records
in KEEP/imported/govmedia.db, made by `govmedia import` on a copy of the pristine
database), loads them into in-memory temporary tables of a fresh copy of the pristine
database (not timed), then times what SQLite alone must do to store them the way the
import does: one transaction, the same 64 MiB page cache, `INSERT … SELECT` of the
accounts (their table and three indexes) and of the audit records (their table and
`idx_audit_path_at`), the commit (WAL write and fsync; like govmedia's connections, no
checkpoint inside the commit: govmedia checkpoints in the background), and the close.
No statement is built, no value bound, no row parsed or validated: what is left is the
floor under any import of these rows into this schema.
"""
import os
import shutil
import sqlite3
import sys
import time


def main() -> None:
    keep = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    pristine = os.path.join(keep, "pristine", "govmedia.db")
    imported = os.path.join(keep, "imported", "govmedia.db")
    run = os.path.join(keep, "floor")
    src = sqlite3.connect(pristine)
    (before,) = src.execute("SELECT MAX(id) FROM accounts").fetchone()
    (audit_before,) = src.execute("SELECT MAX(id) FROM audit_log").fetchone()
    src.close()
    for r in range(rounds):
        shutil.rmtree(run, ignore_errors=True)
        os.makedirs(run)
        db = os.path.join(run, "govmedia.db")
        shutil.copy(pristine, db)
        os.sync()
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("PRAGMA temp_store = MEMORY")
        con.execute("ATTACH DATABASE ? AS imported", (imported,))
        con.execute(
            "CREATE TEMP TABLE new_accounts AS SELECT * FROM imported.accounts WHERE id > ?",
            (before,),
        )
        con.execute(
            "CREATE TEMP TABLE new_audit AS SELECT * FROM imported.audit_log WHERE id > ?",
            (audit_before,),
        )
        con.execute("DETACH DATABASE imported")
        (n,) = con.execute("SELECT COUNT(*) FROM temp.new_accounts").fetchone()
        (m,) = con.execute("SELECT COUNT(*) FROM temp.new_audit").fetchone()
        con.execute("PRAGMA cache_size = -65536")
        con.execute("PRAGMA wal_autocheckpoint = 0")
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO main.accounts SELECT * FROM temp.new_accounts")
        t1 = time.perf_counter()
        con.execute("INSERT INTO main.audit_log SELECT * FROM temp.new_audit")
        t2 = time.perf_counter()
        con.execute("COMMIT")
        t3 = time.perf_counter()
        con.close()
        t4 = time.perf_counter()
        print(
            f"round {r + 1}: {n} accounts {t1 - t0:.3f} s, {m} audit records {t2 - t1:.3f} s, "
            f"commit {t3 - t2:.3f} s, close {t4 - t3:.3f} s; total {t4 - t0:.3f} s "
            f"(load {os.getloadavg()[0]:.2f})"
        )
    shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
