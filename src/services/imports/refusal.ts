export type ImportRefusalCode = 'already_imported' | 'mapping_incomplete' | 'mapping_invalid' | 'invalid_file' | 'invalid_settings'

/** A named reason the whole file is refused; nothing was stored. The endpoint maps the code to a status. */
export class ImportRefusal extends Error {
  constructor(
    readonly code: ImportRefusalCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ImportRefusal'
  }
}
