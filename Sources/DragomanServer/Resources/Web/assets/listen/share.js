// The share button: the system's share sheet where there is one, else the link copied.

/** Shares the page's join link; returns what to tell the listener, or "" when the sheet said it. */
export async function shareLink({ title, url, copied, failed }) {
  if (navigator.share) {
    try {
      await navigator.share({ title, url });
      return "";
    } catch (failure) {
      if (failure?.name === "AbortError") return "";
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    return copied;
  } catch {
    return failed;
  }
}
