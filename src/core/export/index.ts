export { EXPORT_FORMATS, EXPORT_JSON_FORMAT, EXPORT_JSON_VERSION, exportConversation, exportFileName, type ExportFormat, type ExportMeta, type ExportOptions, type ExportResult, type ExportSink } from './export'
export { fileSink, writeExportFile } from './file-sink'
