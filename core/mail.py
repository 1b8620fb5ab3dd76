"""The development mail backend: each mail a file under var/mail, as Django's file backend
writes it, except that a mail that fails leaves no file behind.

Django's file backend opens (creates) its file before it makes the message, and on a failure
skips closing it: a message that cannot be made or written (a header the mail format refuses,
a full disk) left an empty file, still open. Here a file this call opened is always closed,
and removed if the failure left it empty.
"""
import os

from django.core.mail.backends import filebased


class FileBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        path = self._get_filename()
        new_file = not os.path.exists(path)
        opened_here = self.stream is None
        try:
            return super().send_messages(email_messages)
        finally:
            if opened_here and self.stream is not None:  # a failure skipped the backend's own close
                self.close()
            if new_file and os.path.exists(path) and os.path.getsize(path) == 0:
                os.remove(path)
