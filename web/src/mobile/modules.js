// The resident-facing modules. Each is a placeholder page until its module ships.
export const MODULES = [
  { key: 'live', icon: 'video-o', color: '#e8553e', bg: '#fdece8' },
  { key: 'services', icon: 'guide-o', color: '#1f7a5c', bg: '#e6f3ee' },
  { key: 'orders', icon: 'todo-list-o', color: '#2f6fd1', bg: '#e8f0fc' },
  { key: 'points', icon: 'point-gift-o', color: '#d98a00', bg: '#fdf3df' },
  { key: 'cards', icon: 'description-o', color: '#7a4fc2', bg: '#f1ebfa' },
]
