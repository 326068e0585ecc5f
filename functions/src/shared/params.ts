import { defineInt, type IntParam } from "firebase-functions/params";

export interface IntSetting {
  /** The param itself, for function options that take one (timeoutSeconds, memory...). */
  param: IntParam;
  /** The value, or the default where the param is unset (tests and tools read 0 for an unset
   *  int param). A value below `min` throws: a TTL or batch of 0 must fail loudly. */
  value(): number;
}

/** The one way an int param is declared: a default and a minimum. */
export function intParam(name: string, options: { default: number; min: number; description: string }): IntSetting {
  const param = defineInt(name, { default: options.default, description: options.description });
  return {
    param,
    value() {
      const raw = param.value();
      const value = Number.isFinite(raw) && raw !== 0 ? raw : options.default;
      if (!Number.isInteger(value) || value < options.min)
        throw new Error(`${name} must be an integer of at least ${options.min}, is ${raw}`);
      return value;
    },
  };
}
