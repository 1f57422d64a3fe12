/** Words of the local history search and the export dialog (`history.*`), zh and en. */
const en = {
  search: {
    title: 'Search all messages',
    open: 'Search messages (Ctrl+Shift+F)',
    openMac: 'Search messages (⌘⇧F)',
    placeholder: 'Words to find, in any conversation',
    here: 'This conversation only',
    account: 'Account',
    anyAccount: 'All accounts',
    sender: 'Sender',
    senderPlaceholder: 'Name or id',
    from: 'From',
    to: 'To',
    kinds: 'Kind',
    kind: { text: 'Text', image: 'Images', file: 'Files', ai: 'AI replies', audio: 'Voice', video: 'Video' },
    none: 'Nothing found',
    hint: 'Type at least one character. Every word must occur.',
    more: 'Older results',
    me: 'Me',
    count: '{n} results',
    countMore: '{n}+ results',
    server: 'Also search on the Yunhu server',
    failed: 'The search failed: {err}'
  },
  export: {
    open: 'Export conversation',
    title: 'Export “{name}”',
    format: 'Format',
    html: 'HTML (one file, opens offline, images included)',
    markdown: 'Markdown',
    json: 'JSON (the message model, for other programs)',
    selection: 'Only the {n} selected messages',
    go: 'Export',
    busy: 'Exporting…',
    done: 'Exported {n} messages to {path}',
    doneOpen: 'Open',
    failed: 'The export failed: {err}'
  }
}

type Words = typeof en

const zh: Words = {
  search: {
    title: '搜索全部消息',
    open: '搜索消息（Ctrl+Shift+F）',
    openMac: '搜索消息（⌘⇧F）',
    placeholder: '要查找的词，任何会话中',
    here: '只搜索此会话',
    account: '账号',
    anyAccount: '全部账号',
    sender: '发送者',
    senderPlaceholder: '名字或 ID',
    from: '从',
    to: '到',
    kinds: '类型',
    kind: { text: '文字', image: '图片', file: '文件', ai: 'AI 回复', audio: '语音', video: '视频' },
    none: '没有找到',
    hint: '至少输入一个字。每个词都要出现。',
    more: '更早的结果',
    me: '我',
    count: '{n} 条结果',
    countMore: '{n}+ 条结果',
    server: '也在云湖服务器上搜索',
    failed: '搜索失败：{err}'
  },
  export: {
    open: '导出会话',
    title: '导出“{name}”',
    format: '格式',
    html: 'HTML（单个文件，离线可打开，含图片）',
    markdown: 'Markdown',
    json: 'JSON（消息模型，供其他程序使用）',
    selection: '只导出选中的 {n} 条消息',
    go: '导出',
    busy: '正在导出…',
    done: '已导出 {n} 条消息到 {path}',
    doneOpen: '打开',
    failed: '导出失败：{err}'
  }
}

export const HISTORY_WORDS = { en, 'zh-CN': zh }
