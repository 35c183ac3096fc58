// What the domain needs from the outside world, implemented in src/outbound and src/storage.

export interface DeliveryResult {
  httpStatus: number | undefined;
  error: string | undefined;
  latencyMs: number;
  responseExcerpt: string;
}

export interface CallbackTransport {
  post(url: string, body: string, timeoutMs: number): Promise<DeliveryResult>;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
