"""The lines the .doc/.wps/.ofd readers and the hostile-file guards say about a file, in one place
(each is the cause after 'path: '; machine-readable kinds stay English elsewhere)."""

MESSAGES = {
    "no_office": "reading .doc, .wps and .rtf needs LibreOffice, which is not installed "
                 "(apt-get install libreoffice-writer-nogui, or run scripts/install-system-deps.sh)",
    "office_timeout": "LibreOffice did not convert the file within {seconds} s (too large or damaged)",
    "office_failed": "LibreOffice could not open it: corrupt, encrypted or not a {kind} document",
    "office_wps_failed": "LibreOffice could not open this Kingsoft .wps file (only .wps files saved in Word format "
                         "can be read; save it as .docx in WPS)",
    "office_start": "LibreOffice could not be started ({cause})",
    "ofd_corrupt": "corrupt or not an OFD file ({cause})",
    "ofd_no_pages": "OFD file has no pages",
    "ofd_no_text": "no text found in OFD (scanned pages in OFD are not read; print it to PDF)",
    "zip_too_large": "refused: '{member}' would inflate to {size} MB (limit {limit} MB), a zip bomb or not a report",
    "zip_ratio": "refused: '{member}' is compressed {ratio}:1, a zip bomb",
    "zip_members": "refused: {count} members in the archive (limit {limit})",
    "xml_entities": "refused: '{member}' declares XML entities (a document never needs them)",
    "image_too_large": "refused: image of {pixels} megapixels (limit {limit} megapixels), a decompression bomb or not a page",
    "pdf_pages_unreadable": "{count} of {total} pages could not be read (damaged: {pages}); "
                            "the facts come from the other pages",
    "pdf_no_text_readable": "corrupt PDF: {count} of {total} pages could not be read ({pages}) "
                            "and the others have no text",
    "pdf_no_page_readable": "corrupt PDF: none of its {total} pages could be read",
    "too_many_pages": "refused: {pages} pages (a file of reports has at most {limit})",
}


def say(key: str, **kw) -> str:
    return MESSAGES[key].format(**kw)
