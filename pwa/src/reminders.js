// What the service worker shows for a push reminder. The server's payload (app/push/outbox.py
// `payload_of`) is {title, body, url, kind, item_type, item_id, lead_id | question_id,
// milestone, reminder_id, tag}. Kept apart from src/sw.js so that Vitest can test it.

// Only a page of this app may be opened from a notification.
export function appUrl(url, origin) {
  try {
    const u = new URL(url || '/', origin);
    return u.origin === origin ? u.href : new URL('/', origin).href;
  } catch {
    return new URL('/', origin).href;
  }
}

// -> {title, options} for registration.showNotification().
export function reminderOf(data, origin) {
  const leadId = data.lead_id || (data.item_type === 'lead' ? data.item_id : null) || null;
  const questionId = data.question_id || (data.item_type === 'question' ? data.item_id : null) || null;
  const fallback = leadId ? `/leads/${leadId}` : questionId ? `/questions/${questionId}` : '/';
  const url = appUrl(data.url || fallback, origin);
  // The server's tag (one per item) makes a newer reminder about a lead replace the older one.
  const tag = data.tag || (leadId ? `lead-${leadId}` : questionId ? `question-${questionId}` : undefined);
  return {
    title: data.title || 'LeadSync',
    options: {
      body: data.body || '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      tag,
      renotify: Boolean(tag), // a replacement ("overdue" after "due soon") alerts again
      data: { url, lead_id: leadId, question_id: questionId, kind: data.kind || null, reminder_id: data.reminder_id || null },
    },
  };
}

// A push message's data as an object, whatever came (JSON, plain text or nothing).
export function pushData(message) {
  if (!message) return {};
  try {
    const data = message.json();
    return data && typeof data === 'object' ? data : { body: String(data) };
  } catch {
    return { body: message.text() };
  }
}
