"""The CPython side of the benchmark's echo row: an asyncio streams line echo server.

python3 asyncio_echo.py PORT CLIENTS: serves CLIENTS connections (readline, write, drain,
until EOF), then exits. The same work as examples/echo-server-async.
"""
import asyncio
import sys


async def main(port, clients):
    done = asyncio.Event()
    served = 0
    finished = 0

    async def handle(reader, writer):
        nonlocal served, finished
        served += 1
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
        writer.close()
        finished += 1
        if finished == clients:
            done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await done.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
