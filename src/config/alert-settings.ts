// Where alerts go. Every field is optional: with none set, alerts are off and runs behave as before.
export interface AlertSettings {
  /** SMTP delivery (nodemailer); the URL may hold the SMTP user and password. */
  email?: { smtpUrl: string; to: string[]; from: string };
  /** Receives each alert as a JSON POST; its URL may hold a token, so it is never printed. */
  webhookUrl?: string;
  /** Base URL of the admin console, for links to the run and dead-letter pages. */
  consoleUrl?: string;
}
