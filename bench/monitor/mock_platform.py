#!/usr/bin/env python3
"""A mock platform for the monitoring benchmark: on loopback, every request waits
LATENCY seconds (asyncio, so waits overlap), then answers an RSS feed of 20 posts
for the account numbered at the end of the path (/feed/<id>). Posts are stable
(the same 20 every time: "nothing changed"). GET /stats answers the request count
per account as JSON ({"requests": n, "accounts": k, "max_per_account": m}).

    python3 mock_platform.py --port 0 --latency 0.05 --posts 20
prints "listening <port>" on its first line.
"""
import argparse
import asyncio
import collections
import datetime
import json
import sys

counts = collections.Counter()


def feed(account: int, posts: int) -> bytes:
    base = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.timezone.utc)
    items = []
    for i in range(posts):
        at = base - datetime.timedelta(hours=6 * i)
        items.append(
            f"<item><title>第{account}号账号的第{i + 1}条政务信息：做好冬季安全生产工作</title>"
            f"<link>https://example.gov.cn/a/{account}/{i}</link>"
            f"<guid>a{account}-p{i}</guid>"
            f"<pubDate>{at.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>账号{account}</title><link>https://example.gov.cn/{account}</link>"
        "<description>模拟平台</description>" + "".join(items) + "</channel></rss>"
    ).encode()


async def handle(reader, writer, args):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            parts = line.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "/"
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
            if path == "/stats":
                per = list(counts.values())
                body = json.dumps(
                    {
                        "requests": sum(per),
                        "accounts": len(per),
                        "max_per_account": max(per) if per else 0,
                    }
                ).encode()
                ctype = "application/json"
            else:
                await asyncio.sleep(args.latency)
                tail = path.rstrip("/").rsplit("/", 1)[-1]
                account = int(tail) if tail.isdigit() else 0
                counts[account] += 1
                body = feed(account, args.posts)
                ctype = "application/rss+xml; charset=utf-8"
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.05)
    p.add_argument("--posts", type=int, default=20)
    args = p.parse_args()
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args), "127.0.0.1", args.port, backlog=1024
    )
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
