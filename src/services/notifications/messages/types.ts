/** The texts of one notification in one language, each an ICU MessageFormat message (docs/notifications.md). */
export interface Messages {
  subject: string;
  /** The first paragraph; a tenant may replace it, as the subject. */
  intro: string;
  /** Paragraphs after the intro, one a line; the token follows them. */
  body?: string;
  /** The sentence above the link (the text) or the button (the HTML); given exactly when the template has an action. */
  action?: string;
  /** The button's label. */
  button?: string;
  /** Paragraphs after the link, one a line. */
  outro?: string;
}

export type MessagePart = keyof Messages;
