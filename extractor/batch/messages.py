"""Every message the batch shows a user, in one table (to move into the message catalog later).

Keys and the codes stored in the database (error kinds, statuses) stay English.
"""
MESSAGES = {
    "busy": "另一个 selfeval batch（进程 {pid}）正在写入 {out}/",
    "no_reports": "{folder}: folder holds no reports (.txt .md .pdf .docx or images)",
    "timeout": "over the per-file time limit ({limit:.0f} s)",
    "crash": "the worker process died while reading it",
    "lock_file": "skipped: an Office lock file, not a report",
    "duplicate": "与{others}为同一份报告（{reasons}），疑似重复报送",
    "same_number": "文号相同",
    "same_text": "正文几乎相同",
    "and_more": "等{n}份",
    "summary_run": ("files {files}; this run: processed {processed}, unchanged {unchanged}, failed {failed}, removed {removed}, "
                    "moved {moved}, unsupported {unsupported}; facts {facts}; findings: {findings}"),
    "summary_total": "totals: documents {documents}, facts {facts_total}, findings: {findings_total}, files in error {errors}",
    "summary_time": "{seconds:.1f} s, {rate:.2f} files/s",
    "interrupted": "INTERRUPTED: run again to finish",
    "none": "none",
}
