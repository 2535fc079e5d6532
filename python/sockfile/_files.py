"""sockfile's file objects as real `io` objects: `io.RawIOBase` (buffering=0),
`io.BufferedIOBase` ('rb', 'wb', 'rwb') and `io.TextIOBase` (text modes), so `isinstance`
checks, `with`, and `for line in f` work. Iteration takes lines from sockfile's
`next-lines` batches (one call per batch)."""

import io

from ._wit import call, wit


def wrap(f, mode, buffering):
    if isinstance(f, wit.File_Text):
        return TextFile(f.value)
    if buffering == 0:
        return RawFile(f.value)
    return BinaryFile(f.value)


class _Lines:
    """A `for line in f` batch: the lines sockfile returned together, taken one by one.
    Every read method takes from here first, so the stream order is kept."""

    def _init_lines(self):
        self._batch = []

    def __iter__(self):
        return self

    def __next__(self):
        if not self._batch:
            data, ends = call(self._f.next_lines, None)
            if not ends:
                raise StopIteration
            start = 0
            lines = []
            for e in ends:
                lines.append(data[start:e])
                start = e
            lines.reverse()
            self._batch = lines
        return self._batch.pop()

    # Lines of the batch first, then the file.
    def readline(self, size=-1):
        if self._batch:
            line = self._batch.pop()
            if size is not None and 0 <= size < len(line):
                self._batch.append(line[size:])
                return line[:size]
            return line
        return call(self._f.readline, None if size is None or size < 0 else size)

    def readlines(self, hint=-1):
        head = self._pending()
        lines = list(head) if head else []
        if hint is not None and hint > 0 and sum(map(len, lines)) > hint:
            return lines
        rest = call(self._f.readlines, None if hint is None or hint <= 0 else hint)
        return lines + rest

    def _pending(self):
        """What the batch holds, joined (a read takes it first)."""
        if not self._batch:
            return None
        joined = self._batch[::-1]
        self._batch = []
        return joined


class _Common:
    def close(self):
        call(self._f.close)

    @property
    def closed(self):
        return self._f.closed()

    def readable(self):
        return call(self._f.readable)

    def writable(self):
        return call(self._f.writable)

    def seekable(self):
        return call(self._f.seekable)

    def isatty(self):
        return call(self._f.isatty)

    def fileno(self):
        return call(self._f.fileno)

    def flush(self):
        call(self._f.flush)

    @property
    def mode(self):
        return self._f.mode()

    @property
    def name(self):
        return self._f.name()

    def __del__(self):
        pass


class BinaryFile(_Common, _Lines, io.BufferedIOBase):
    """A buffered binary file (`makefile('rb')`, `'wb'`, `'rwb'`)."""

    def __init__(self, f):
        self._f = f
        self._init_lines()

    def _pending_bytes(self):
        p = self._pending()
        return b"".join(p) if p else b""

    def read(self, size=-1):
        head = self._pending_bytes()
        if size is None or size < 0:
            return head + call(self._f.read, None)
        if len(head) >= size:
            self._unread(head[size:])
            return head[:size]
        return head + call(self._f.read, size - len(head)) if size - len(head) else head

    def _unread(self, data):
        if data:
            self._batch = [data]

    def read1(self, size=-1):
        head = self._pending_bytes()
        if head:
            if size is not None and 0 <= size < len(head):
                self._unread(head[size:])
                return head[:size]
            return head
        return call(self._f.read1, None if size is None or size < 0 else size)

    def peek(self, size=0):
        head = self._pending_bytes()
        if head:
            self._unread(head)
            return head
        return call(self._f.peek, size or None)

    def readinto(self, b):
        view = memoryview(b).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readinto1(self, b):
        view = memoryview(b).cast("B")
        data = self.read1(len(view))
        view[: len(data)] = data
        return len(data)

    def write(self, data):
        return call(self._f.write, bytes(data))

    def writelines(self, lines):
        call(self._f.writelines, [bytes(x) for x in lines])

    def detach(self):
        raise io.UnsupportedOperation("detach")


class RawFile(BinaryFile, io.RawIOBase):
    """An unbuffered binary file (`makefile('rb', buffering=0)`): `io.RawIOBase`."""


class TextFile(_Common, _Lines, io.TextIOBase):
    """A text file (`makefile('r')`, `'w'`, `'rw'`)."""

    def __init__(self, f):
        self._f = f
        self._init_lines()

    def read(self, size=-1):
        head = "".join(self._pending() or [])
        if size is None or size < 0:
            return head + call(self._f.read, None)
        if len(head) >= size:
            if head[size:]:
                self._batch = [head[size:]]
            return head[:size]
        return head + (call(self._f.read, size - len(head)) if size - len(head) else "")

    def write(self, s):
        return call(self._f.write, s)

    def writelines(self, lines):
        call(self._f.writelines, list(lines))

    @property
    def encoding(self):
        return self._f.encoding()

    @property
    def errors(self):
        return self._f.errors()

    @property
    def newlines(self):
        n = self._f.newlines()
        if not n:
            return None
        return n[0] if len(n) == 1 else tuple(n)

    @property
    def line_buffering(self):
        return self._f.line_buffering()

    def detach(self):
        raise io.UnsupportedOperation("detach")
