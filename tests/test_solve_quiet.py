"""HiGHS's banner is silenced without ever losing stdout, even with threads side by side."""

import os
import threading

from khcadre_sim.solve import _QuietFd


def test_threads_silencing_together_restore_stdout(capfd):
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(200):
            with _QuietFd():
                os.write(1, b"hidden\n")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.write(1, b"visible\n")
    out = capfd.readouterr().out
    assert "visible" in out and "hidden" not in out
